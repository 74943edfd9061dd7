systemctl start demo-masked.service
