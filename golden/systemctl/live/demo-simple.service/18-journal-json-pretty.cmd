journalctl -u demo-simple.service -n 20 --no-pager -o json-pretty
