systemctl status demo-idle.service --no-pager
