systemctl status demo-idle.service --no-pager --full --lines=20
