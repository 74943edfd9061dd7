systemctl enable demo-idle.service
