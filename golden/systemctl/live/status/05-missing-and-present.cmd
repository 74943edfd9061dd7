systemctl status nosuch.service demo-simple.service --no-pager
