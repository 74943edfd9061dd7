systemctl status demo-greet@world.service
