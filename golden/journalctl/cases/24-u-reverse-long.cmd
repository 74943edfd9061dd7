journalctl -u chatty.service --reverse -o cat --no-pager
