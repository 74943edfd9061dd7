systemctl is-active cond-trigger.service
