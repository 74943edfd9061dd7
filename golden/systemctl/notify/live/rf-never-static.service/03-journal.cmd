journalctl -u rf-never-static.service --no-pager
