LANG=C systemctl status demo-badonce.service --no-pager
