systemctl show -p ActiveState --value demo-oneshot.service
