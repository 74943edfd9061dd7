journalctl -u chatty.service -e --no-pager
