journalctl -u kill-control.service --no-pager
