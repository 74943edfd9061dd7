systemctl stop demo-simple.service; systemctl status demo-simple.service --no-pager -n 0
