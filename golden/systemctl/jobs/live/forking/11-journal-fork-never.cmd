journalctl -u fork-never.service --no-pager -o cat
