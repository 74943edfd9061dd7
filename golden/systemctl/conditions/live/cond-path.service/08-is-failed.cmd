systemctl is-failed cond-path.service
