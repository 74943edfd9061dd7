journalctl -u rf-ok-static.service --no-pager
