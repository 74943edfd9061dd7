systemctl show -p Environment --value env-odd.service
