systemctl enable rf-oneshot.service
