journalctl -u t-failkeep --no-pager -o cat
