systemctl show demo-greet@world.service
