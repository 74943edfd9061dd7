systemctl show --all env-odd.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
