systemctl enable cond-held-failed.service
