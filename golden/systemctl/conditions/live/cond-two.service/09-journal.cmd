journalctl -u cond-two.service --no-pager
