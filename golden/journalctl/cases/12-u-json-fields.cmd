journalctl -u chatty.service -o json --output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_PID --no-pager
