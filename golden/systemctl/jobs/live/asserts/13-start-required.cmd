systemctl start assert-needed.service
