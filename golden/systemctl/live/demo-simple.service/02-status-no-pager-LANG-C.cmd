LANG=C systemctl status demo-simple.service --no-pager
