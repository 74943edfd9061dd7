systemctl show -p ActiveState,SubState,MainPID demo.target
