systemctl is-failed cond-static.service
