journalctl -u demo-tick.service -n 20 --no-pager -o verbose
