journalctl -u noprefix.service -o json --output-fields=MESSAGE,PRIORITY --no-pager
