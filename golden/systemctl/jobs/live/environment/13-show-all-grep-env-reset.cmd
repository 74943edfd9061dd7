systemctl show --all env-reset.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
