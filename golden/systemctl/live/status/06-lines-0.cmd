systemctl status demo-simple.service --no-pager -n 0
