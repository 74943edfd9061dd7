journalctl -u chatty.service -n 3 -o json --no-pager
