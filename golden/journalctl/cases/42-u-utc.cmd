journalctl -u chatty.service --utc -n 4 --no-pager
