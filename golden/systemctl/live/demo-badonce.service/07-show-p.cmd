systemctl show -p ActiveState,SubState,MainPID demo-badonce.service
