journalctl -u rf-oneshot.service --no-pager
