systemctl is-enabled od-late.service
