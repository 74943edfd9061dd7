systemctl enable demo-forking.service
