systemctl is-enabled demo-badonce.service
