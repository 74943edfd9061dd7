journalctl -u loop-signal.service --no-pager -o cat
