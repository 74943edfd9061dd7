LANG=C systemctl status demo-tick.service --no-pager
