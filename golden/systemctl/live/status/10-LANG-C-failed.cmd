LANG=C systemctl status demo-fail.service --no-pager -n 0
