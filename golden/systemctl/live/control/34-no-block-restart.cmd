systemctl --no-block restart demo-reload.service
