journalctl -u chatty.service --since '+1h' --no-pager
