systemctl is-active assert-trigger.service
