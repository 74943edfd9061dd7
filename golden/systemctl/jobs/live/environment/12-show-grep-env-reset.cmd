systemctl show env-reset.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
