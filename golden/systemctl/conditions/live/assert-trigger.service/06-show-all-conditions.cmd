systemctl show --all assert-trigger.service | grep -E '^(Condition|Assert)'
