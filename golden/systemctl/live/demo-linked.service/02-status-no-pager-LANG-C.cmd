LANG=C systemctl status demo-linked.service --no-pager
