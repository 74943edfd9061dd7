journalctl -u demo-alias.service -n 20 --no-pager
