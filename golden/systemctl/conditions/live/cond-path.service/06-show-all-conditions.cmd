systemctl show --all cond-path.service | grep -E '^(Condition|Assert)'
