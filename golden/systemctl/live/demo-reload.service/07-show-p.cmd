systemctl show -p ActiveState,SubState,MainPID demo-reload.service
