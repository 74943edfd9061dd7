systemctl try-restart demo-reload.service
