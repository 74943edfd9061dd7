systemctl reload demo-reload.service
