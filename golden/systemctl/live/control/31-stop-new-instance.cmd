systemctl stop demo-greet@moon.service
