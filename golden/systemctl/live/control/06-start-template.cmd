systemctl start demo-greet@.service
