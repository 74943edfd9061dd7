journalctl -u crashy.service -r -o short-precise --no-pager
