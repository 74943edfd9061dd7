journalctl -u crashy.service -p warning -o cat --no-pager
