systemctl start rf-oneshot.service
