journalctl -u lim-none.service --no-pager -o cat
