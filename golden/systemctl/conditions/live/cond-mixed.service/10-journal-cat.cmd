journalctl -u cond-mixed.service --no-pager -o cat
