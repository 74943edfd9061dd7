systemctl is-active demo-idle.service
