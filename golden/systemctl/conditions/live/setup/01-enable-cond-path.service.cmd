systemctl enable cond-path.service
