systemctl enable cond-two.service
