systemctl status res-resources.service
