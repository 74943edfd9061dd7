journalctl -u rf-ok.service --no-pager
