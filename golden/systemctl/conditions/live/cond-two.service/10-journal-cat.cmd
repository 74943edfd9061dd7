journalctl -u cond-two.service --no-pager -o cat
