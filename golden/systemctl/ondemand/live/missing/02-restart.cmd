systemctl restart od-nosuch.service
