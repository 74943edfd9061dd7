systemctl status res-dependency.service
