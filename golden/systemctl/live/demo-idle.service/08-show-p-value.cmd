systemctl show -p ActiveState --value demo-idle.service
