systemctl show -p ActiveState,SubState,MainPID demo-oneshot.service
