systemctl is-active cond-two.service
