systemctl show -p Environment env-reset.service
