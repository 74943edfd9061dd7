systemctl is-active demo-simple.service
