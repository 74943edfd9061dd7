LANG=C systemctl status cond-held-failed.service --no-pager
