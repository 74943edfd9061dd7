systemctl enable demo-restart.service
