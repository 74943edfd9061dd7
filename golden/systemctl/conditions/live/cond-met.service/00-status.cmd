systemctl status cond-met.service
