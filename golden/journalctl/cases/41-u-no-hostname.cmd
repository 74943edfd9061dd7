journalctl -u chatty.service --no-hostname -n 4 --no-pager
