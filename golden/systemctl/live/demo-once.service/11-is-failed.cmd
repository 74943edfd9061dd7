systemctl is-failed demo-once.service
