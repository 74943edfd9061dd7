journalctl -u demo-badonce.service -n 20 --no-pager -o cat
