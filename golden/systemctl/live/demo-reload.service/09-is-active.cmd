systemctl is-active demo-reload.service
