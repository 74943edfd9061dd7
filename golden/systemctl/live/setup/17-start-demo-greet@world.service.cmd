systemctl start demo-greet@world.service
