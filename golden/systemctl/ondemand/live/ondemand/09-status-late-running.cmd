systemctl status od-late.service
