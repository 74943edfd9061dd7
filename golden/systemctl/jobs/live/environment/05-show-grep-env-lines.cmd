systemctl show env-lines.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
