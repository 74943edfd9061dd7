systemctl start res-signal.service
