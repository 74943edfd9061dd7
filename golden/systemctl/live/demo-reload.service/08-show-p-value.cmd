systemctl show -p ActiveState --value demo-reload.service
