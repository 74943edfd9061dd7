systemctl enable od-nosuch.service
