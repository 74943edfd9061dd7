systemctl status demo-greet@moon.service --no-pager
