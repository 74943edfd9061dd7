systemctl status demo-tick.service --no-pager
