systemctl enable demo-masked.service
