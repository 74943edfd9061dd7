journalctl -u kill-main.service --no-pager
