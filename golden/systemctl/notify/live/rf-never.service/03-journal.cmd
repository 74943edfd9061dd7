journalctl -u rf-never.service --no-pager
