systemctl show -P Environment env-lines.service
