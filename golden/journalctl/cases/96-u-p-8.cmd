journalctl -u chatty.service -p 8 --no-pager
