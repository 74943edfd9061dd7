systemctl try-restart od-nosuch.service
