journalctl -u cond-static.service --no-pager -o cat
