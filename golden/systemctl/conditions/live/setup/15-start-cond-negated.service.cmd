systemctl start cond-negated.service
