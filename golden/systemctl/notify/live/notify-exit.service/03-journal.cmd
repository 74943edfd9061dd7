journalctl -u notify-exit.service --no-pager
