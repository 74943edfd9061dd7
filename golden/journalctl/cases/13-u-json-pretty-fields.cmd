journalctl -u chatty.service -o json-pretty --output-fields=MESSAGE,PRIORITY --no-pager
