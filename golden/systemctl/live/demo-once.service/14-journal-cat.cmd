journalctl -u demo-once.service -n 20 --no-pager -o cat
