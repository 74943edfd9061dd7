systemctl enable nosuch.service
