systemctl show demo-simple.service -p MainPID,ActiveState --value
