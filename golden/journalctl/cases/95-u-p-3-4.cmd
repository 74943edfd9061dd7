journalctl -u chatty.service -p 3..4 -o cat --no-pager
