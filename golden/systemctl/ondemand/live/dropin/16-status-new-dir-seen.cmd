systemctl status od-nodir.service
