systemctl is-active cond-held-failed.service
