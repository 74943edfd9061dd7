systemctl start cond-held-failed.service
