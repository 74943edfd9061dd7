journalctl -u chatty.service -o short-precise --no-pager
