systemctl status --no-pager -n 0
