systemctl status cond-trigger.service
