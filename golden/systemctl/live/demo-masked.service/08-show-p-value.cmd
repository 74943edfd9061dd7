systemctl show -p ActiveState --value demo-masked.service
