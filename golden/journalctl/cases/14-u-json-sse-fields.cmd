journalctl -u chatty.service -o json-sse --output-fields=MESSAGE --no-pager
