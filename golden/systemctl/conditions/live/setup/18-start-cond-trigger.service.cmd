systemctl start cond-trigger.service
