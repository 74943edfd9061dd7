journalctl -u demo-fail.service -n 20 --no-pager -o verbose
