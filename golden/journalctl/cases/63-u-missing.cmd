journalctl -u nosuch.service --no-pager
