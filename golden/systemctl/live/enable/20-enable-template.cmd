systemctl enable demo-greet@.service
