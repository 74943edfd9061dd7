journalctl -u assert-path.service --no-pager -o cat
