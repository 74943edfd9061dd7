systemctl status demo-once.service --no-pager
