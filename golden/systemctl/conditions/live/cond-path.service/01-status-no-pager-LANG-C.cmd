LANG=C systemctl status cond-path.service --no-pager
