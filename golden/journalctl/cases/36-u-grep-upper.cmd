journalctl -u chatty.service -g ERROR -o cat --no-pager
