systemctl is-enabled demo-masked.service
