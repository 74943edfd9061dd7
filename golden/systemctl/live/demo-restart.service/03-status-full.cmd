systemctl status demo-restart.service --no-pager --full --lines=20
