systemctl try-reload-or-restart od-run.service
