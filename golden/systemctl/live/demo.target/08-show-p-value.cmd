systemctl show -p ActiveState --value demo.target
