LANG=C systemctl status assert-path.service --no-pager
