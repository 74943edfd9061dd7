journalctl -u env-lines.service --no-pager -o cat
