systemctl is-failed assert-after-condition.service
