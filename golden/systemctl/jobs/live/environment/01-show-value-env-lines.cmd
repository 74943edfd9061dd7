systemctl show -p Environment --value env-lines.service
