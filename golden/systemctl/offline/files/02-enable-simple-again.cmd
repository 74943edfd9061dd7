systemctl enable demo-simple.service
