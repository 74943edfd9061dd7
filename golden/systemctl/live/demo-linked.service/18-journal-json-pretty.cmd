journalctl -u demo-linked.service -n 20 --no-pager -o json-pretty
