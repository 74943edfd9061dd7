journalctl -u chatty.service -n 3 -o verbose --no-pager
