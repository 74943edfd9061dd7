systemctl enable od-enable.service
