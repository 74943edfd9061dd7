journalctl -u chatty.service -o verbose --output-fields=MESSAGE,PRIORITY --no-pager
