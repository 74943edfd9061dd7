journalctl -u failing.service -p err --no-pager
