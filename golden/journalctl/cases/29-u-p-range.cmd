journalctl -u chatty.service -p warning..err --no-pager
