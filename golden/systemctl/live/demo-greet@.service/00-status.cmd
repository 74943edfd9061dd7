systemctl status demo-greet@.service
