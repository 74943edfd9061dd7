systemctl show -p ActiveState,SubState,MainPID demo-tick.service
