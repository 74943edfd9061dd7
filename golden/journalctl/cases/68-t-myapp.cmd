journalctl -t myapp --no-pager
