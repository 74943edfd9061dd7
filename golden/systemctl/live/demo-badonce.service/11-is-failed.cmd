systemctl is-failed demo-badonce.service
