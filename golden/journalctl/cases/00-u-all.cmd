journalctl -u chatty.service --no-pager
