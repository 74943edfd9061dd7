systemctl show demo-simple.service demo-fail.service -p ActiveState --value
