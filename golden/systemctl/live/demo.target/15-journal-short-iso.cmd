journalctl -u demo.target -n 20 --no-pager -o short-iso
