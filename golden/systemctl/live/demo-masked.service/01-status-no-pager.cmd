systemctl status demo-masked.service --no-pager
