systemctl try-restart demo-idle.service
