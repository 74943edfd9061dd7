journalctl -t nosuchident --no-pager
