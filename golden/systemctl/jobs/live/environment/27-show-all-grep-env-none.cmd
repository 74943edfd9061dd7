systemctl show --all env-none.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
