journalctl -u cond-held-failed.service --no-pager -o cat
