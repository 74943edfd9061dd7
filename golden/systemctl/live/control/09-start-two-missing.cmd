systemctl start nosuch.service nosuch2.service
