systemctl -q restart demo-badonce.service
