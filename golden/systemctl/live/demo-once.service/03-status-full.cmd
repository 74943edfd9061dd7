systemctl status demo-once.service --no-pager --full --lines=20
