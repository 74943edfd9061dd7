systemctl try-restart od-run.service
