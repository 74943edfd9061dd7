systemctl start assert-fail.service
