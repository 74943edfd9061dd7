journalctl -u lim-memlock.service --no-pager -o cat
