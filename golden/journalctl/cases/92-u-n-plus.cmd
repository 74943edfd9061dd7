journalctl -u chatty.service -n +3 -o cat --no-pager
