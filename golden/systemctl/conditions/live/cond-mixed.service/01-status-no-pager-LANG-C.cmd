LANG=C systemctl status cond-mixed.service --no-pager
