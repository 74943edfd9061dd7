systemctl show --all cond-static.service | grep -E '^(Condition|Assert)'
