systemctl enable cond-met.service
