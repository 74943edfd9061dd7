systemctl is-enabled demo-greet@moon.service
