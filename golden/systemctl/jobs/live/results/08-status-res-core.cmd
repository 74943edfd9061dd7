systemctl status res-core.service
