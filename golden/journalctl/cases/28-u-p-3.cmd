journalctl -u chatty.service -p 3 --no-pager
