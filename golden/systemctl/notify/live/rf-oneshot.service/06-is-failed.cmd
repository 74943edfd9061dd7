systemctl is-failed rf-oneshot.service
