systemctl start res-timeout.service
