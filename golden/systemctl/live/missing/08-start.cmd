systemctl start nosuch.service
