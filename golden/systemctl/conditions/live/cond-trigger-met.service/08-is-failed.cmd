systemctl is-failed cond-trigger-met.service
