systemctl enable cond-mixed.service
