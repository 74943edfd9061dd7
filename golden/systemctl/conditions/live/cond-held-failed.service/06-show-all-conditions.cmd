systemctl show --all cond-held-failed.service | grep -E '^(Condition|Assert)'
