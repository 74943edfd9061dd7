journalctl -u demo-idle.service -n 20 --no-pager
