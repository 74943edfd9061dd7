systemctl show env-none.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
