systemctl show -p Type,PIDFile,MainPID,ActiveState,SubState,Result fork-never.service
