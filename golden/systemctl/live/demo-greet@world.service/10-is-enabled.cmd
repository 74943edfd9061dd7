systemctl is-enabled demo-greet@world.service
