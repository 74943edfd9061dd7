journalctl -u chatty.service -q -n 2 --no-pager
