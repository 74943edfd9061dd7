journalctl -u crashy.service -o cat --no-pager
