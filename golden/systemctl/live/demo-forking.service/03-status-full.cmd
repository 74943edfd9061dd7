systemctl status demo-forking.service --no-pager --full --lines=20
