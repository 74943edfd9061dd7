systemctl enable assert-trigger.service
