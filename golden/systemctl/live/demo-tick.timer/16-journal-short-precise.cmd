journalctl -u demo-tick.timer -n 20 --no-pager -o short-precise
