journalctl -u chatty.service -g error --case-sensitive=yes -o cat --no-pager
