systemctl show --all cond-later.service | grep -E '^(Condition|Assert)'
