systemctl show -p ActiveState --value demo-restart.service
