journalctl -u chatty.service -p emerg -o cat --no-pager
