journalctl -u demo-greet@world.service -n 20 --no-pager -o short-iso
