systemctl reload od-run.service
