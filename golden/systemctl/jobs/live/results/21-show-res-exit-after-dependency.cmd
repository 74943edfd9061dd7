systemctl show -p ActiveState,SubState,Result res-exit.service
