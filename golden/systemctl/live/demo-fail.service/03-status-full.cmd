systemctl status demo-fail.service --no-pager --full --lines=20
