systemctl is-enabled demo-idle.service
