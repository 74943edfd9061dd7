journalctl -u chatty.service -o cat --no-pager
