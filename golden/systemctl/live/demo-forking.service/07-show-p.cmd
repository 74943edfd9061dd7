systemctl show -p ActiveState,SubState,MainPID demo-forking.service
