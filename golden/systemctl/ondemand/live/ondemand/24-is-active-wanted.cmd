systemctl is-active od-wanted.service
