LANG=C systemctl status cond-later.service --no-pager
