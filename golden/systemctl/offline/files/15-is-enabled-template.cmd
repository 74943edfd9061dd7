systemctl is-enabled demo-greet@.service
