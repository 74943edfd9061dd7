systemctl start assert-path.service
