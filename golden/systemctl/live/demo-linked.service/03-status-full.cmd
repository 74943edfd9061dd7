systemctl status demo-linked.service --no-pager --full --lines=20
