journalctl -u chatty.service -n 100 --no-pager
