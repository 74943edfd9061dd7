journalctl -u cond-negated.service --no-pager -o cat
