systemctl status cond-negated.service
