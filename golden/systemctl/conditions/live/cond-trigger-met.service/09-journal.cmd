journalctl -u cond-trigger-met.service --no-pager
