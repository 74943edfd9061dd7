systemctl status od-unknown.service
