systemctl show --all assert-path.service | grep -E '^(Condition|Assert)'
