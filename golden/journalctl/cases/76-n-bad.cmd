journalctl -u chatty.service -n lots --no-pager
