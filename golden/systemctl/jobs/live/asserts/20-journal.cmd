journalctl -u assert-fail.service --no-pager -o cat
