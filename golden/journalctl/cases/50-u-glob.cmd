journalctl -u 'chat*' -o cat --no-pager
