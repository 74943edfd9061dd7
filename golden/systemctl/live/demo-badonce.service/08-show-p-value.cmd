systemctl show -p ActiveState --value demo-badonce.service
