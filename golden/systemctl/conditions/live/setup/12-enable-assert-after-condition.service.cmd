systemctl enable assert-after-condition.service
