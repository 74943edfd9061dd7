systemctl show -p ActiveState,SubState,MainPID demo-linked.service
