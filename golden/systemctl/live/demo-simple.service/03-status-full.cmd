systemctl status demo-simple.service --no-pager --full --lines=20
