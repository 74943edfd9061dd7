systemctl start cond-met.service
