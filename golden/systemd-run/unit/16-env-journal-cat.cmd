journalctl -u t-env --no-pager -o cat
