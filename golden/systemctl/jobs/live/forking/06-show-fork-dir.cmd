systemctl show -p Type,PIDFile,MainPID,ActiveState,SubState,Result fork-dir.service
