systemctl status res-signal.service
