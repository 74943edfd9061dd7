LANG=C systemctl status demo-greet@.service --no-pager
