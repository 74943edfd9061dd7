systemctl show -p ActiveState,SubState,MainPID demo-simple.service
