systemctl show -p ActiveState --value demo-alias.service
