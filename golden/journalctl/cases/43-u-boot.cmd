journalctl -u chatty.service -b -n 4 --no-pager
