systemctl is-active demo-masked.service
