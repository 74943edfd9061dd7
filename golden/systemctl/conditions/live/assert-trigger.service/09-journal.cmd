journalctl -u assert-trigger.service --no-pager
