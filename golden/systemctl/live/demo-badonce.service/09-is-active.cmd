systemctl is-active demo-badonce.service
