systemctl is-active demo-greet@.service
