systemctl show -p EnvironmentFiles env-none.service
