systemctl show nosuch
