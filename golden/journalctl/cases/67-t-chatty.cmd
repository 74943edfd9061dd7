journalctl -t chatty -n 3 --no-pager
