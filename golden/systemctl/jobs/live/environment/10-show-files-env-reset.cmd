systemctl show -p EnvironmentFiles env-reset.service
