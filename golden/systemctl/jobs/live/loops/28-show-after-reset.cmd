systemctl show -p ActiveState,SubState,Result,NRestarts loop-exit.service
