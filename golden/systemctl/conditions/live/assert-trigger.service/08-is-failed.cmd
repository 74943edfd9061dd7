systemctl is-failed assert-trigger.service
