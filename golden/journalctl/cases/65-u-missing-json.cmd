journalctl -u nosuch.service -o json --no-pager
