LANG=C systemctl status demo-reload.service --no-pager
