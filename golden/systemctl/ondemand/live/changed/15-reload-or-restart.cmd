systemctl reload-or-restart od-run.service
