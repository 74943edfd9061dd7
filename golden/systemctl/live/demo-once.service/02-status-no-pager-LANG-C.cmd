LANG=C systemctl status demo-once.service --no-pager
