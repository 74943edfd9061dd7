systemctl is-failed demo-simple.service
