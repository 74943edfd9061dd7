systemctl is-failed demo-fail.service
