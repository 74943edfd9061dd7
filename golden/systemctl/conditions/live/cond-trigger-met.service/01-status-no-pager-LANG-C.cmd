LANG=C systemctl status cond-trigger-met.service --no-pager
