systemctl is-failed demo-tick.service
