journalctl -t other -o cat --no-pager
