journalctl -u cond-negated.service --no-pager
