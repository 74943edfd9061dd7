systemctl status demo-greet@world.service --no-pager --full --lines=20
