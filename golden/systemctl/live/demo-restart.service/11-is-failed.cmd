systemctl is-failed demo-restart.service
