systemctl is-enabled od-nosuch.service
