systemctl start demo-forking.service
