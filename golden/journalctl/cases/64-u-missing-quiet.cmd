journalctl -u nosuch.service -q --no-pager
