systemctl show demo-simple.service -P ActiveState
