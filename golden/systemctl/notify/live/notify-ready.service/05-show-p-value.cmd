systemctl show -p StatusText --value notify-ready.service
