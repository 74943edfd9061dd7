systemctl show -p ActiveState,SubState,MainPID demo-greet@world.service
