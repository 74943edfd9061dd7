systemctl show -p ActiveState,SubState,MainPID demo-once.service
