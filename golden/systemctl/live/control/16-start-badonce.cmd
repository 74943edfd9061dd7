systemctl start demo-badonce.service
