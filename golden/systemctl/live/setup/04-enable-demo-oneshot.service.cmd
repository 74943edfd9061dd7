systemctl enable demo-oneshot.service
