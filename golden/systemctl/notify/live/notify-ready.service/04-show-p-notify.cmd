systemctl show -p StatusText,StatusErrno,ActiveState,SubState,Result,NotifyAccess notify-ready.service
