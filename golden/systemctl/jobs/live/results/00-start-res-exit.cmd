systemctl start res-exit.service
