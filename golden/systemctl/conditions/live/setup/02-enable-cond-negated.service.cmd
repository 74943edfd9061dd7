systemctl enable cond-negated.service
