journalctl -u assert-static.service --no-pager -o cat
