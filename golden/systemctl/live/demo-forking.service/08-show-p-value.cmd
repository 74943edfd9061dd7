systemctl show -p ActiveState --value demo-forking.service
