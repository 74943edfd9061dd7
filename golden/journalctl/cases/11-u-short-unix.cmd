journalctl -u chatty.service -o short-unix --no-pager
