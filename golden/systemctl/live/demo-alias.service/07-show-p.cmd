systemctl show -p ActiveState,SubState,MainPID demo-alias.service
