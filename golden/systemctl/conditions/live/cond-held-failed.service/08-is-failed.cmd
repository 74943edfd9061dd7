systemctl is-failed cond-held-failed.service
