systemctl show -p StatusText --value notify-refused.service
