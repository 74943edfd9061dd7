journalctl -u notify-child.service --no-pager
