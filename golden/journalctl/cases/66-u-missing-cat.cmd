journalctl -u nosuch.service -o cat --no-pager
