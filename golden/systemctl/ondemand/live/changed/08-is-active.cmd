systemctl is-active od-run.service
