systemctl is-system-running
