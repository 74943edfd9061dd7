journalctl -u cond-trigger.service --no-pager
