systemctl cat demo-greet@moon.service
