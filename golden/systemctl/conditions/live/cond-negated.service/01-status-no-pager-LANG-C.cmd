LANG=C systemctl status cond-negated.service --no-pager
