systemctl enable demo-once.service
