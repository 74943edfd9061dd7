systemctl enable cond-trigger.service
