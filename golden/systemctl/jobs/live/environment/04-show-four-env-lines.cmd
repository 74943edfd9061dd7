systemctl show -p Environment,EnvironmentFiles,UnsetEnvironment,PassEnvironment env-lines.service
