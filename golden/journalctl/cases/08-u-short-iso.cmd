journalctl -u chatty.service -o short-iso --no-pager
