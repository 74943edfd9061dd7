systemctl is-failed cond-trigger.service
