systemctl show -P Environment env-none.service
