LANG=C systemctl status cond-two.service --no-pager
