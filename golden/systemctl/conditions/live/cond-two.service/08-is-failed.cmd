systemctl is-failed cond-two.service
