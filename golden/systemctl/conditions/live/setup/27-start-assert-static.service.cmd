systemctl start assert-static.service
