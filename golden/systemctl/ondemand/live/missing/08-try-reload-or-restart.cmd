systemctl try-reload-or-restart od-nosuch.service
