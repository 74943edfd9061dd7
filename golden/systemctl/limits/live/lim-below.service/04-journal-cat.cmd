journalctl -u lim-below.service --no-pager -o cat
