journalctl -u chatty.service -n 3 -o export --no-pager
