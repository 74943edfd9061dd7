journalctl -u chatty.service -o short --no-pager
