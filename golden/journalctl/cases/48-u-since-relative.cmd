journalctl -u chatty.service --since '-1h' --until '+1h' -o cat --no-pager
