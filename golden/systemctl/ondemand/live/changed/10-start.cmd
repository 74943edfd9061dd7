systemctl start od-run.service
