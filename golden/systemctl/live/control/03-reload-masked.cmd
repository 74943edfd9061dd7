systemctl reload demo-masked.service
