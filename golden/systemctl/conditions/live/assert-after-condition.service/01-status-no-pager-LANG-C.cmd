LANG=C systemctl status assert-after-condition.service --no-pager
