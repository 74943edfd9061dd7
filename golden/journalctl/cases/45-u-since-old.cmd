journalctl -u chatty.service --since 2000-01-01 -o cat --no-pager
