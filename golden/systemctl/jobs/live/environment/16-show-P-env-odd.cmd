systemctl show -P Environment env-odd.service
