journalctl -u chatty.service -g nothing-matches-this --no-pager
