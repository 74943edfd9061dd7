systemctl show -p EnvironmentFiles env-lines.service
