systemctl disable od-nosuch.service
