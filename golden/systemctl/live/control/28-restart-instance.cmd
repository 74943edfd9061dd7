systemctl restart demo-greet@world.service
