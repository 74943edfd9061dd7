systemctl start demo-fail.service
