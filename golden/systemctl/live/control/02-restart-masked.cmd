systemctl restart demo-masked.service
