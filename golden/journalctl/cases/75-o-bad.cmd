journalctl -u chatty.service -o nonsense --no-pager
