systemctl is-system-running -q
