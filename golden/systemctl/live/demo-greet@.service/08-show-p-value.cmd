systemctl show -p ActiveState --value demo-greet@.service
