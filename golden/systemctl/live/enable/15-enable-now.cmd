systemctl enable --now demo-idle.service
