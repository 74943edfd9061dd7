systemctl reload-or-try-restart od-nosuch.service
