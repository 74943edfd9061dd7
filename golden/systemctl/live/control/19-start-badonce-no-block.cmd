systemctl --no-block start demo-badonce.service
