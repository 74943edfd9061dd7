systemctl start demo-once.service
