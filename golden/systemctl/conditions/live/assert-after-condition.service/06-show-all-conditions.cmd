systemctl show --all assert-after-condition.service | grep -E '^(Condition|Assert)'
