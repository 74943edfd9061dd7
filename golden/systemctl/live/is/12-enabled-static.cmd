systemctl is-enabled demo-once.service
