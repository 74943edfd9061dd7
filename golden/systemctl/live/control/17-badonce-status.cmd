systemctl status demo-badonce.service --no-pager -n 0
