systemctl show -p ActiveState,SubState,Result,NRestarts loop-manual.service
