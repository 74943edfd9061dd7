journalctl -u chatty.service -r --no-pager
