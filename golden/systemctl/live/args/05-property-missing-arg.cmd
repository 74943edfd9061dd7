systemctl show -p
