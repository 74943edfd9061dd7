journalctl -t chatty -u oneshot.service -o cat --no-pager
