systemctl show -P Environment env-reset.service
