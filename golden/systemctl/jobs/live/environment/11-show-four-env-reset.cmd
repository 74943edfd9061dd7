systemctl show -p Environment,EnvironmentFiles,UnsetEnvironment,PassEnvironment env-reset.service
