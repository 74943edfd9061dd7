systemctl mask demo-idle.service
