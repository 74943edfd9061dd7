systemctl status demo-alias.service --no-pager --full --lines=20
