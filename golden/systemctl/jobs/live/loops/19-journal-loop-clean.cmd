journalctl -u loop-clean.service --no-pager -o cat
