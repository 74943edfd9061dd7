systemctl start res-resources.service
