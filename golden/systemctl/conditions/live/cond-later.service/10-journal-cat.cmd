journalctl -u cond-later.service --no-pager -o cat
