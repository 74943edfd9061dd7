systemctl start od-nosuch.service
