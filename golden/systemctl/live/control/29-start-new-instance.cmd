systemctl start demo-greet@moon.service
