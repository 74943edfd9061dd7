systemctl is-active demo-forking.service
