systemctl is-failed demo-reload.service
