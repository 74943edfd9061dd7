journalctl -u rf-fail.service --no-pager
