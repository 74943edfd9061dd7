systemctl enable demo-greet@world.service
