systemctl show -p ActiveState,SubState,MainPID nosuch.service
