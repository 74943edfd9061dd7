systemctl status demo-tick.service --no-pager --full --lines=20
