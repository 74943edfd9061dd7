systemctl status od-gone.service
