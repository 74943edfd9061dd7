systemctl status demo-idle.service
