systemctl mask demo-masked.service nosuch4.service
