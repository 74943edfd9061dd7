journalctl --no-pager -o cat | grep -c 'Hostname set'
