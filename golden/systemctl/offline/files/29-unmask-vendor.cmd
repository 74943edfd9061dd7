systemctl unmask demo-masked.service
