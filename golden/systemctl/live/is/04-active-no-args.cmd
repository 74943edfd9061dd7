systemctl is-active
