systemctl is-active assert-after-condition.service
