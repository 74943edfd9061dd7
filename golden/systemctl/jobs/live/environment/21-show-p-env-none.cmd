systemctl show -p Environment env-none.service
