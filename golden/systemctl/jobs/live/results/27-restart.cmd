systemctl restart res-signal.service
