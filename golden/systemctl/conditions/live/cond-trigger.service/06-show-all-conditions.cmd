systemctl show --all cond-trigger.service | grep -E '^(Condition|Assert)'
