systemctl show demo-greet@.service
