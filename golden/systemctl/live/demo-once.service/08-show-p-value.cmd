systemctl show -p ActiveState --value demo-once.service
