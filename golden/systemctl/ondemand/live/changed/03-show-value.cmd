systemctl show -p NeedDaemonReload --value od-run.service
