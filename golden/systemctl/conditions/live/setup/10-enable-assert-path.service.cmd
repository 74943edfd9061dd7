systemctl enable assert-path.service
