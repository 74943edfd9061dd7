systemctl start assert-trigger.service
