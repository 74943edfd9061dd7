journalctl -u chatty.service -n 0 --no-pager
