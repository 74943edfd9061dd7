systemctl show -p ActiveState,SubState,MainPID demo-fail.service
