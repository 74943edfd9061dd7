systemctl is-active demo-greet@world.service
