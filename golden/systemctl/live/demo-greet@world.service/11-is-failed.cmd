systemctl is-failed demo-greet@world.service
