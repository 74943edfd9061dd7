journalctl -u chatty.service --until '2000-01-01 00:00:00' --no-pager
