systemctl enable cond-trigger-met.service
