systemctl unmask demo-masked.service nosuch4.service
