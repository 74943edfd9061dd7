systemctl show -p StatusText --value notify-child.service
