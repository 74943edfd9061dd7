journalctl -u fork-dir.service --no-pager -o cat
