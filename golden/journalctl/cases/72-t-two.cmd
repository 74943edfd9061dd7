journalctl -t chatty -t oneshot -o cat --no-pager
