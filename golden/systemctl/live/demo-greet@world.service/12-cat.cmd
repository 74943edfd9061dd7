systemctl cat demo-greet@world.service
