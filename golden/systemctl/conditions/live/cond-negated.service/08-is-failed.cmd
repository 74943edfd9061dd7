systemctl is-failed cond-negated.service
