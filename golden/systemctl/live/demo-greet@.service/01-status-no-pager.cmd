systemctl status demo-greet@.service --no-pager
