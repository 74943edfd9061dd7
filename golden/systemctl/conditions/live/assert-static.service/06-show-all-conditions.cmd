systemctl show --all assert-static.service | grep -E '^(Condition|Assert)'
