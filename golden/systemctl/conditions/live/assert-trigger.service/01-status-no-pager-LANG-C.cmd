LANG=C systemctl status assert-trigger.service --no-pager
