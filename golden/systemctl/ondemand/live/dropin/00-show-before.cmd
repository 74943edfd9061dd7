systemctl show -p NeedDaemonReload,DropInPaths od-drop.service
