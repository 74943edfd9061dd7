journalctl -u loop-exit.service --no-pager -o cat
