journalctl -u chatty.service -r -n 2 --no-pager
