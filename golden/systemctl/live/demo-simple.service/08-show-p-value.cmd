systemctl show -p ActiveState --value demo-simple.service
