systemctl is-active cond-met.service
