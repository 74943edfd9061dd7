journalctl -u cond-met.service --no-pager -o cat
