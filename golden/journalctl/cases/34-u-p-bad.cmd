journalctl -u chatty.service -p loud --no-pager
