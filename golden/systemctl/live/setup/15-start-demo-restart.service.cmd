systemctl start demo-restart.service
