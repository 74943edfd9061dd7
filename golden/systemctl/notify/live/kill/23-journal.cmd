journalctl -u kill-tree.service --no-pager
