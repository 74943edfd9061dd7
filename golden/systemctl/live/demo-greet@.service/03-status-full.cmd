systemctl status demo-greet@.service --no-pager --full --lines=20
