systemctl is-failed demo-fail.service; systemctl status demo-fail.service --no-pager -n 0
