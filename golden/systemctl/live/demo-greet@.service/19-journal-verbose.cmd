journalctl -u demo-greet@.service -n 20 --no-pager -o verbose
