journalctl -u t-basic --no-pager -o cat
