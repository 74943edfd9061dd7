journalctl -u chatty.service -o export --output-fields=MESSAGE,PRIORITY --no-pager
