systemctl is-enabled -q demo-idle.service
