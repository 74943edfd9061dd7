journalctl -u chatty.service -b -1 --no-pager
