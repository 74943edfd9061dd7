journalctl -u notify-ready.service --no-pager
