systemctl status demo-linked.service --no-pager
