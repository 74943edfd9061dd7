journalctl -u noprefix.service --no-pager
