journalctl -u t-remain --no-pager -o cat
