systemctl status od-enable.service
