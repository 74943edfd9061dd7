systemctl enable demo-greet@moon.service
