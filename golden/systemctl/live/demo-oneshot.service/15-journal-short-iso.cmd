journalctl -u demo-oneshot.service -n 20 --no-pager -o short-iso
