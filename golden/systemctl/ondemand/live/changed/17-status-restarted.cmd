systemctl status od-run.service
