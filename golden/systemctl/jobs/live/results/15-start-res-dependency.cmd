systemctl start res-dependency.service
