journalctl -u chatty.service -o cat --output-fields=PRIORITY,MESSAGE --no-pager
