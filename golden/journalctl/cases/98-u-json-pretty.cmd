journalctl -u chatty.service -n 1 -o json-pretty --no-pager
