systemctl show -p ActiveState --value demo-linked.service
