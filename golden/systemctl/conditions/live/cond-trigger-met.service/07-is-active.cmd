systemctl is-active cond-trigger-met.service
