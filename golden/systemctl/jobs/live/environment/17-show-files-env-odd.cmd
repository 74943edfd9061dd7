systemctl show -p EnvironmentFiles env-odd.service
