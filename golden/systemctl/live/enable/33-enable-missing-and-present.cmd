systemctl enable nosuch.service demo-idle.service
