LANG=C systemctl status assert-static.service --no-pager
