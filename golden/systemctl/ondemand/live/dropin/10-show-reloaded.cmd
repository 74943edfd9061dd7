systemctl show -p NeedDaemonReload od-drop.service
