journalctl -u lim-infinity.service --no-pager -o cat
