systemctl status res-exit.service
