systemctl show -p Environment,EnvironmentFiles,UnsetEnvironment,PassEnvironment env-odd.service
