journalctl -u crashy.service --no-pager
