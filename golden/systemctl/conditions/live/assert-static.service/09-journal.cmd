journalctl -u assert-static.service --no-pager
