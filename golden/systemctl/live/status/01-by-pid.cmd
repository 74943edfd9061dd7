systemctl status $(cat /run/demo-forking.pid) --no-pager
