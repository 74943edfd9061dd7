systemctl status assert-trigger.service
