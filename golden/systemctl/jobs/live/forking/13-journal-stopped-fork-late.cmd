journalctl -u fork-late.service --no-pager -o cat
