systemctl is-failed demo-forking.service
