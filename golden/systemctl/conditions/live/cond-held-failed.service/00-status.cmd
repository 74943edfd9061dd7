systemctl status cond-held-failed.service
