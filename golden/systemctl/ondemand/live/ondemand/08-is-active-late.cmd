systemctl is-active od-late.service
