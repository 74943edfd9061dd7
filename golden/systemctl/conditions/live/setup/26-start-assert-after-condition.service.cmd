systemctl start assert-after-condition.service
