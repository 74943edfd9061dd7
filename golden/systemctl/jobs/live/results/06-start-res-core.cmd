systemctl start res-core.service
