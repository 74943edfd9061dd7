systemctl restart od-run.service
