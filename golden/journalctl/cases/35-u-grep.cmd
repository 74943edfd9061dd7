journalctl -u chatty.service -g error --no-pager
