systemctl start --now demo-idle.service
