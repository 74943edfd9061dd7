systemctl show -p ActiveState,SubState,MainPID demo-idle.service
