systemctl start demo-oneshot.service
