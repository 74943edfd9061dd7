systemctl show -p StatusText --value notify-exit.service
