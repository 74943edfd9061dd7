systemctl is-active cond-mixed.service
