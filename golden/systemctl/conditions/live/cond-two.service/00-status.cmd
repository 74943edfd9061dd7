systemctl status cond-two.service
