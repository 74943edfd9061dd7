systemctl status res-timeout.service
