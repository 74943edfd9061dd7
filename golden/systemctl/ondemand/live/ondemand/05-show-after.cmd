systemctl show -p LoadState,ActiveState,UnitFileState,NeedDaemonReload od-late.service
