LANG=C systemctl status demo-restart.service --no-pager
