systemctl cat demo-idle.service
