systemctl disable demo-idle.service
