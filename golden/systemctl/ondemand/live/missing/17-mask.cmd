systemctl mask od-nosuch.service
