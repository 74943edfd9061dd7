systemctl status cond-trigger-met.service
