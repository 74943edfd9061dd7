systemctl status demo-restart.service --no-pager -n 0
