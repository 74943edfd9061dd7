journalctl -u cond-met.service --no-pager
