systemctl is-failed demo-oneshot.service
