systemctl show -p ActiveState --value demo-tick.timer
