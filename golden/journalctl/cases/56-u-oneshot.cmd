journalctl -u oneshot.service --no-pager
