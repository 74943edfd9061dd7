journalctl -u cond-path.service --no-pager -o cat
