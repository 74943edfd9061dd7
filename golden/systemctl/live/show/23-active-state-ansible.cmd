systemctl show demo-idle.service --property=ActiveState
