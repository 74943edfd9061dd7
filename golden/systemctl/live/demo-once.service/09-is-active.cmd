systemctl is-active demo-once.service
