systemctl show -p Environment --value env-none.service
