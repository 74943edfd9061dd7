systemctl show -p Environment --value env-reset.service
