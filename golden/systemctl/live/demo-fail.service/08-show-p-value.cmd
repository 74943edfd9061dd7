systemctl show -p ActiveState --value demo-fail.service
