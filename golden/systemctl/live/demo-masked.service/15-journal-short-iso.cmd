journalctl -u demo-masked.service -n 20 --no-pager -o short-iso
