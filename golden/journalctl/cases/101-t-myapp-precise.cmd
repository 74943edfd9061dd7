journalctl -t myapp -o short-precise --no-pager
