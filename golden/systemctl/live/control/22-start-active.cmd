systemctl start demo-simple.service
