journalctl -u chatty -n 2 --no-pager
