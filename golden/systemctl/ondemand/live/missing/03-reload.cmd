systemctl reload od-nosuch.service
