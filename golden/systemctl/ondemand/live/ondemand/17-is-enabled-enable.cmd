systemctl is-enabled od-enable.service
