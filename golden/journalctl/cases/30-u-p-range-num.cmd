journalctl -u chatty.service -p 0..3 -o cat --no-pager
