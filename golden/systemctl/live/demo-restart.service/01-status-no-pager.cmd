systemctl status demo-restart.service --no-pager
