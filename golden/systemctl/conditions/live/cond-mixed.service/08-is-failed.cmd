systemctl is-failed cond-mixed.service
