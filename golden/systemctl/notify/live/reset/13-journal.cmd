journalctl -u rf-fail-static.service --no-pager
