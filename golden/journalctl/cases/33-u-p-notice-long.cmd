journalctl -u chatty.service --priority=notice -o cat --no-pager
