systemctl show -p Description,NeedDaemonReload od-run.service
