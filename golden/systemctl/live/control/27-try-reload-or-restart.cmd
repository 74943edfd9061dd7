systemctl try-reload-or-restart demo-reload.service
