systemctl is-active cond-negated.service
