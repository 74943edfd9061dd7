systemctl show --all cond-trigger-met.service | grep -E '^(Condition|Assert)'
