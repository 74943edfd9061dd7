journalctl -u chatty.service -p err --no-pager
