systemctl disable --now demo-idle.service
