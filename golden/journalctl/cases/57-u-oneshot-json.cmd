journalctl -u oneshot.service -o json --output-fields=MESSAGE,SYSLOG_IDENTIFIER --no-pager
