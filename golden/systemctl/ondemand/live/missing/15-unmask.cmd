systemctl unmask od-nosuch.service
