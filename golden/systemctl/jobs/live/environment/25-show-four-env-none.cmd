systemctl show -p Environment,EnvironmentFiles,UnsetEnvironment,PassEnvironment env-none.service
