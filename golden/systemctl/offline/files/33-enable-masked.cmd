systemctl mask demo-masked.service && systemctl enable demo-masked.service
