journalctl -u demo-forking.service -n 20 --no-pager -o json-pretty
