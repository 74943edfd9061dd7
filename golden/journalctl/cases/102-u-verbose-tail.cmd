journalctl -u oneshot.service -n 1 -o verbose --no-pager
