journalctl -u failing.service --no-pager
