systemctl show demo-simple.service -p StatusText,StatusErrno,NotifyAccess
