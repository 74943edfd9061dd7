systemctl show -p Description,NeedDaemonReload od-nodir.service
