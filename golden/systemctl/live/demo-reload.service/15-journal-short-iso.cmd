journalctl -u demo-reload.service -n 20 --no-pager -o short-iso
