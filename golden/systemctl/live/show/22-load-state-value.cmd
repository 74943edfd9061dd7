systemctl show nosuch.service -p LoadState --value
