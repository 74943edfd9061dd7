systemctl show -p Type,PIDFile,MainPID,ActiveState,SubState,Result fork-late.service
