systemctl show -p ActiveState,SubState,MainPID demo-masked.service
