journalctl -u 'c*y.service' -o cat --no-pager
