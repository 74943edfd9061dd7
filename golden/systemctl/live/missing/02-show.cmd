systemctl show nosuch.service
