systemctl is-active cond-static.service
