systemctl show -p StatusText,StatusErrno,ActiveState,SubState,Result,NotifyAccess notify-child.service
