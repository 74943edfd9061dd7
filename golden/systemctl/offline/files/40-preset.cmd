systemctl preset demo-idle.service
