systemctl status demo-masked.service --no-pager --full --lines=20
