systemctl start cond-trigger-met.service
