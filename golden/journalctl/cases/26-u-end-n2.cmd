journalctl -u chatty.service -e -n 2 --no-pager
