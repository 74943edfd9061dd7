systemctl is-enabled
