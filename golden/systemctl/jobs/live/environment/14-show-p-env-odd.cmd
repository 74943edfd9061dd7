systemctl show -p Environment env-odd.service
