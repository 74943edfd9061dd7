journalctl -u chatty.service --since 'not a time' --no-pager
