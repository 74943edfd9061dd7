systemctl is-failed demo-masked.service
