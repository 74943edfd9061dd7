systemctl show --all env-lines.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='
