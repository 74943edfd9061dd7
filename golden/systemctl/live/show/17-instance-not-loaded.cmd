systemctl show demo-greet@moon.service
