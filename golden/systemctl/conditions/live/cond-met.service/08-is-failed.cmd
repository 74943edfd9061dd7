systemctl is-failed cond-met.service
