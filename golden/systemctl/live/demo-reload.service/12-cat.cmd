systemctl cat demo-reload.service
