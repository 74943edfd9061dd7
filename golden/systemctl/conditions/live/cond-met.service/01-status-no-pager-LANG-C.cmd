LANG=C systemctl status cond-met.service --no-pager
