systemctl show env-odd.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
