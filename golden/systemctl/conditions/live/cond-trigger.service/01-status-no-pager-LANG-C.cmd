LANG=C systemctl status cond-trigger.service --no-pager
