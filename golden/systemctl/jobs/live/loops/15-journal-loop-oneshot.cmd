journalctl -u loop-oneshot.service --no-pager -o cat
