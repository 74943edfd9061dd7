journalctl -u chatty.service -n 2 -o json-sse --no-pager
