systemctl show --all cond-mixed.service | grep -E '^(Condition|Assert)'
