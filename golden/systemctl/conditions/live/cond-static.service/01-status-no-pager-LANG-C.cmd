LANG=C systemctl status cond-static.service --no-pager
