journalctl -u chatty.service -n --no-pager
