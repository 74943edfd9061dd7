timeout 2 journalctl -u chatty.service -f --no-pager
