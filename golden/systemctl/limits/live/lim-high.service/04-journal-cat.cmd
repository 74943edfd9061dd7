journalctl -u lim-high.service --no-pager -o cat
