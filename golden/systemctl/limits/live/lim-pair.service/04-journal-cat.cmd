journalctl -u lim-pair.service --no-pager -o cat
