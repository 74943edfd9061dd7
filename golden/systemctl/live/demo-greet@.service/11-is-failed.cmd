systemctl is-failed demo-greet@.service
