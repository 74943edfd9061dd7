journalctl -u cond-trigger.service --no-pager -o cat
