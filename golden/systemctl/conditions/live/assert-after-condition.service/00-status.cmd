systemctl status assert-after-condition.service
