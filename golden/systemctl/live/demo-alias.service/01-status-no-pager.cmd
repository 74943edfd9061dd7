systemctl status demo-alias.service --no-pager
