systemctl disable demo-greet@moon.service
