journalctl -u notify-refused.service --no-pager
