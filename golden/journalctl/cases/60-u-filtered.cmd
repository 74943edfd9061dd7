journalctl -u filtered.service --no-pager
