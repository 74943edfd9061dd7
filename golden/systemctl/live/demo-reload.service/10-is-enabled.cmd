systemctl is-enabled demo-reload.service
