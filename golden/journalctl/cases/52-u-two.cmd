journalctl -u chatty.service -u oneshot.service -o cat --no-pager
