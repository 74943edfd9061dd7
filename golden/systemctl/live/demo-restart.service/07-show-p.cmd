systemctl show -p ActiveState,SubState,MainPID demo-restart.service
