systemctl enable assert-fail.service
