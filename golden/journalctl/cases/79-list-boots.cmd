journalctl --list-boots --no-pager
