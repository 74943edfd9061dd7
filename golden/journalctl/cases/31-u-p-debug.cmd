journalctl -u chatty.service -p debug -o cat --no-pager
