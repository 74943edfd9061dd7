timeout 2 journalctl -u chatty.service -f -n 2 -o cat --no-pager
