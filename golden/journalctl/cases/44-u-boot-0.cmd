journalctl -u chatty.service -b 0 -n 4 -o cat --no-pager
