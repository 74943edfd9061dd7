systemctl show --all cond-two.service | grep -E '^(Condition|Assert)'
