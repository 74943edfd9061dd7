journalctl -u assert-needed.service --no-pager -o cat
