systemctl status demo-once.service --no-pager -o cat
