journalctl -u chatty.service -o short-monotonic --no-pager
