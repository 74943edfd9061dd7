journalctl -u host-echo.service --no-pager -o cat
