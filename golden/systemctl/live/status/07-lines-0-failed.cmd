systemctl status demo-fail.service --no-pager --lines=0
