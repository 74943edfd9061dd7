journalctl -u env-reset.service --no-pager -o cat
