systemctl show --all cond-met.service | grep -E '^(Condition|Assert)'
