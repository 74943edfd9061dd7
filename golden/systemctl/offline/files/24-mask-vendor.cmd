systemctl mask demo-masked.service
