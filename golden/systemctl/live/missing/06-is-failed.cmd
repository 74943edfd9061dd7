systemctl is-failed nosuch.service
