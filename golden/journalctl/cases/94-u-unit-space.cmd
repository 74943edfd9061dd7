journalctl --unit chatty.service --lines 2 -o cat --no-pager
