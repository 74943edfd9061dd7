journalctl -u chatty.service --grep 'line$' -o cat --no-pager
