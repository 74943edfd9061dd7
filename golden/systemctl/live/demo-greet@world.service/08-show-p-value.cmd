systemctl show -p ActiveState --value demo-greet@world.service
