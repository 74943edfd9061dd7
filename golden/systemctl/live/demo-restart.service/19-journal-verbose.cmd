journalctl -u demo-restart.service -n 20 --no-pager -o verbose
