systemctl cat demo-greet@.service
