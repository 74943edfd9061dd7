LANG=C systemctl status demo-greet@world.service --no-pager
