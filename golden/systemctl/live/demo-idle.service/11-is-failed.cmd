systemctl is-failed demo-idle.service
