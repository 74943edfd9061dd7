journalctl -u assert-after-condition.service --no-pager -o cat
