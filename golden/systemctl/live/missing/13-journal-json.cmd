journalctl -u nosuch.service -n 20 --no-pager -o json
