systemctl unmask demo-idle.service
