journalctl -u demo-tick.timer -n 20 --no-pager -o json
