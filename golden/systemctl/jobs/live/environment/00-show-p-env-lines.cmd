systemctl show -p Environment env-lines.service
