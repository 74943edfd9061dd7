systemctl show --all cond-negated.service | grep -E '^(Condition|Assert)'
