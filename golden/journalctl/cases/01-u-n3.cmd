journalctl -u chatty.service -n 3 --no-pager
