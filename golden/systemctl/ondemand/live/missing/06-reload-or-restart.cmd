systemctl reload-or-restart od-nosuch.service
